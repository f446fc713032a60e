# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The customer's promise fields are removed from the model before the views that showed them
are loaded again: the addon's views still naming them are deleted here, with their xml ids, and
created afresh from the module's files, or the first view validated against ``res.partner``
would fail on the old arch of another."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        SELECT v.id FROM ir_ui_view v
          JOIN ir_model_data d ON d.model = 'ir.ui.view' AND d.res_id = v.id AND d.module = 'kakeuri_ar'
         WHERE v.arch_db::text LIKE %s
        """,
        ("%kakeuri_promise_%",),
    )
    view_ids = [row[0] for row in cr.fetchall()]
    if not view_ids:
        return
    cr.execute(
        "DELETE FROM ir_model_data WHERE model = 'ir.ui.view' AND module = 'kakeuri_ar' AND res_id = ANY(%s)",
        (view_ids,),
    )
    cr.execute("DELETE FROM ir_ui_view WHERE id = ANY(%s)", (view_ids,))
