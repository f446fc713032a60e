# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import ast
from collections import defaultdict

from lxml import html
from markupsafe import Markup

from odoo import api, models
from odoo.tools.lru import LRU
from odoo.tools.rendering_tools import parse_inline_template
from odoo.tools.safe_eval import safe_eval

# the inline fields; body_html is rendered apart (compiled once per language)
TEMPLATE_FIELDS = ("subject", "email_from", "reply_to", "partner_to", "email_to", "email_cc")

# how an inline expression ({{ ... }}) of these fields is evaluated per reminder, by
# expression: ("path", field names) read on the record, ("company", None) evaluated once per
# company (it reads the record only as object.company_id), ("eval", None) evaluated per record
_INLINE_PLANS = LRU(256)
# compiled email bodies {(database, template, language, source, restricted): (functions, name)}:
# a run renders one batch after the other with the same template, compiling it once is enough
# (the source is part of the key, so an edited template is compiled again)
_COMPILED_BODIES = LRU(64)
# what _replace_local_links looks for (src, href, background starting with "/", or a
# style url(...)): a body without any of these is left as it is
_LOCAL_LINK_MARKS = ('src="/', 'href="/', 'background="/', "url(")
# nodes that make an expression depend on more than its names' values (calls, lambdas, ...)
_INLINE_COMPANY_FORBIDDEN = (
    ast.Call,
    ast.Lambda,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
    ast.NamedExpr,
    ast.Subscript,
)


class KakeuriMailRender(models.AbstractModel):
    """A mail template rendered on a batch of records (reminders, statements) as Odoo renders
    it, without Odoo's per-record costs: the inline fields (subject, sender, recipients)
    without one ``safe_eval`` per expression and record, the QWeb body compiled once per
    language instead of once per record."""

    _name = "kakeuri.mail.render"
    _description = "Batch Mail Template Rendering"

    @api.model
    def _render_template_fields(self, lines, template, langs=None):
        """{line id: values}: the subject, sender, reply-to and recipients of ``template``
        on these lines, as ``template._generate_template(ids, TEMPLATE_FIELDS)`` returns
        them (per recipient language, ``partner_to`` turned into existing ``partner_ids``),
        without one ``safe_eval`` per expression and line: an expression that is a path of
        fields (``object.contact_partner_id.id``) is read on the record, one that reads the
        record only as ``object.company_id`` (the sender, the company name in the subject)
        is evaluated once per company, any other once per line as Odoo does. Odoo's own
        rendering is used when the user may not render such expressions, for default
        recipients or a preview language, and to report a rendering error."""
        if (
            self._is_restricted_rendering(template)
            or template.use_default_to
            or self.env.context.get("template_preview_lang")
        ):
            return template._generate_template(lines.ids, TEMPLATE_FIELDS)
        if langs is None:
            langs = template._render_lang(lines.ids)
        per_lang = defaultdict(list)
        for line_id in lines.ids:
            per_lang[langs.get(line_id)].append(line_id)
        results = {line_id: {} for line_id in lines.ids}
        try:
            for lang, line_ids in per_lang.items():
                tmpl = template.with_context(lang=lang) if lang else template
                records = tmpl.env[tmpl.render_model].browse(line_ids)
                variables = tmpl._render_eval_context()
                for field in TEMPLATE_FIELDS:
                    for line_id, value in self._render_inline_field(tmpl[field], records, variables).items():
                        results[line_id][field] = value
        except Exception:  # noqa: BLE001 - Odoo's rendering raises its own error for the user
            return template._generate_template(lines.ids, TEMPLATE_FIELDS)
        # partner_to -> partner_ids, as _generate_template_recipients does
        parsed = {}
        for line_id, values in results.items():
            partner_to = values.get("partner_to")
            if not partner_to:
                parsed[line_id] = None
            elif partner_to.isdigit():  # one id, what _parse_partner_to returns for it
                parsed[line_id] = [int(partner_to)]
            else:
                parsed[line_id] = template._parse_partner_to(partner_to)
        all_ids = {pid for pids in parsed.values() if pids for pid in pids}
        existing = (
            set(self.env["res.partner"].sudo().browse(list(all_ids)).exists().ids) if all_ids else set()
        )
        for line_id, pids in parsed.items():
            results[line_id].pop("partner_to", None)
            if pids is not None:
                results[line_id]["partner_ids"] = list(set(pids) & existing)
        return results

    @api.model
    def _render_template_langs(self, lines, template):
        """{line id: language code}: ``template._render_lang(ids)`` (the recipient's language),
        with the expressions evaluated as ``_render_template_fields`` does."""
        if self._is_restricted_rendering(template):
            return template._render_lang(lines.ids)
        try:
            records = template.env[template.render_model].browse(lines.ids)
            return self._render_inline_field(template.lang, records, template._render_eval_context())
        except Exception:  # noqa: BLE001 - Odoo's rendering raises its own error for the user
            return template._render_lang(lines.ids)

    @api.model
    def _render_inline_field(self, text, records, variables):
        """{record id: str} of the inline template ``text`` rendered on ``records`` like
        ``render_inline_template`` (see ``_render_template_fields``); ``variables`` is the
        template's evaluation context."""
        if not text:
            return dict.fromkeys(records.ids, "")
        instructions = parse_inline_template(str(text))
        plans = [self._get_inline_plan(expr, records) if expr else None for _s, expr, _d in instructions]
        by_company = {}
        results = {}
        for record in records:
            parts = []
            for (string, expr, default), plan in zip(instructions, plans, strict=True):
                parts.append(string)
                if not expr:
                    continue
                kind, path = plan
                if kind == "path":
                    value = record
                    for fname in path:
                        value = value[fname]
                elif kind == "company":
                    key = (expr, record.company_id.id)
                    if key not in by_company:
                        by_company[key] = safe_eval(expr, dict(variables, object=record))
                    value = by_company[key]
                else:
                    value = safe_eval(expr, dict(variables, object=record))
                value = value or default
                if value:
                    parts.append(str(value))
            results[record.id] = "".join(parts)
        return results

    @api.model
    def _get_inline_plan(self, expr, records):
        """How to evaluate the inline expression ``expr`` on ``records`` (see ``_INLINE_PLANS``)."""
        # the fields of a model depend on the database and its installed modules
        key = (self.env.cr.dbname, self.env.registry.registry_sequence, records._name, expr)
        plan = _INLINE_PLANS.get(key)
        if plan is None:
            plan = _INLINE_PLANS[key] = self._make_inline_plan(expr, records)
        return plan

    @api.model
    def _make_inline_plan(self, expr, records):
        try:
            tree = ast.parse(expr.strip(), mode="eval")
        except SyntaxError:
            return ("eval", None)
        # object.field.field...: each step a field of the model reached so far
        node, path = tree.body, []
        while isinstance(node, ast.Attribute):
            path.insert(0, node.attr)
            node = node.value
        if isinstance(node, ast.Name) and node.id == "object" and path:
            model = records
            for i, fname in enumerate(path):
                field = model._fields.get(fname)
                if field is None or (i < len(path) - 1 and not field.relational):
                    break
                if field.relational:
                    model = self.env[field.comodel_name]
            else:
                return ("path", tuple(path))
        # reads the record only through object.company_id, calls nothing
        if "company_id" not in records._fields or any(
            isinstance(n, _INLINE_COMPANY_FORBIDDEN) for n in ast.walk(tree)
        ):
            return ("eval", None)
        company_uses = {
            id(n.value)
            for n in ast.walk(tree)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.attr == "company_id"
        }
        objects = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "object"]
        if objects and all(id(n) in company_uses for n in objects):
            return ("company", None)
        return ("eval", None)

    @api.model
    def _is_restricted_rendering(self, template):
        """The current user may only render the allowed expressions of ``template``."""
        return (
            not template._unrestricted_rendering
            and not self.env.is_admin()
            and not self.env.user.has_group("mail.group_mail_template_editor")
        )

    @api.model
    def _render_bodies(self, records, template, langs, context=None):
        """{record id: html}: the template's QWeb body rendered on each record like
        ``mail.template._generate_template`` does, in the recipient's language (``langs``,
        {record id: code}), compiled once per language; ``context`` is added to the records'."""
        restricted = self._is_restricted_rendering(template)
        per_lang = defaultdict(list)
        for record in records:
            per_lang[langs.get(record.id) or False].append(record.id)
        results = {}
        for lang, ids in per_lang.items():
            results.update(self._render_bodies_lang(records.browse(ids), template, lang, restricted, context))
        return results

    @api.model
    def _render_bodies_lang(self, records, template, lang, restricted, context=None):
        """{record id: html} of ``records`` in language ``lang`` (see ``_render_bodies``)."""
        tmpl = template.with_context(lang=lang) if lang else template
        source = tmpl.body_html
        if not source:
            return dict.fromkeys(records.ids, "")
        qweb = self.env["ir.qweb"].with_context(lang=lang) if lang else self.env["ir.qweb"]
        if restricted:
            qweb = qweb.with_context(raise_on_forbidden_code_for_model=template.model)
        key = (self.env.cr.dbname, template.id, lang, source, restricted)
        compiled = _COMPILED_BODIES.get(key)
        if compiled is None:
            compiled = _COMPILED_BODIES[key] = qweb._compile(
                html.fragment_fromstring(source, create_parent="div")
            )
        functions, def_name = compiled
        render = functions[def_name]
        base_values = tmpl._render_eval_context()
        # the rendering values and environment QWeb prepares are the same for every record
        # (constants, user, company, language): prepared once, only `object` changes
        env_qweb = qweb._prepare_environment(base_values)
        context = dict(context or {}, **({"lang": lang} if lang else {}))
        bodies = {}
        for record in records.with_context(**context):
            values = dict(base_values, object=record)
            bodies[record.id] = Markup("".join(render(env_qweb, values))[5:-6])
        # local links made absolute (_render_template_postprocess), for the bodies that have a
        # candidate at all: its regular expressions cost more than the rendering
        to_process = {
            record_id: body for record_id, body in bodies.items() if any(m in body for m in _LOCAL_LINK_MARKS)
        }
        if to_process:
            bodies.update(tmpl._render_template_postprocess(template.model, to_process))
        return bodies

    @api.model
    def _composer_action(self, records, template_xmlid, **context):
        """Odoo's mail composer on ``records`` with the template ``template_xmlid`` (its report
        attached), the mail queued rather than sent at once: how a document of the addon is
        sent by hand. ``context`` adds keys to the composer's context."""
        template = self.env.ref(template_xmlid, raise_if_not_found=False)
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": records._name,
                "default_res_ids": records.ids,
                "default_template_id": template.id if template else False,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_layout_with_responsible_signature",
                "force_email": True,
                "mail_notify_force_send": False,
                **context,
            },
        }
