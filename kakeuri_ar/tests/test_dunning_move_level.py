# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The dunning level of an invoice, kept in the addon's table: shown, searched and set on the
invoice as before, and carried over from the invoice columns of the earlier version."""

from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import SQL, sql

from .common.dunning import TODAY, DunningCommon


@tagged("post_install", "-at_install")
class TestDunningMoveLevel(DunningCommon):
    @freeze_time(TODAY)
    def test_sent_levels_searched_on_the_invoice(self):
        self._levels_skippable()
        partner_a, partner_b = self.customers[:2]
        inv_a = self._invoice(partner_a, 100.0, 20)
        inv_b = self._invoice(partner_b, 200.0, 3)
        never = self._invoice(partner_b, 50.0, -5)  # not due: never reminded
        run = self._run()
        run.action_send()
        self.assertEqual(inv_a.kakeuri_dunning_level_id, self.level_second)
        self.assertEqual(inv_b.kakeuri_dunning_level_id, self.level_friendly)
        self.assertEqual((inv_a | inv_b).mapped("kakeuri_last_dunning_date"), [TODAY, TODAY])
        self.assertFalse(never.kakeuri_dunning_level_id or never.kakeuri_last_dunning_date)
        rows = self.env["kakeuri.dunning.move.level"].search([("move_id", "in", (inv_a | inv_b | never).ids)])
        self.assertEqual(rows.move_id, inv_a | inv_b)
        self.assertEqual(rows.company_id, self.company)

        Move = self.env["account.move"]
        mine = [("id", "in", (inv_a | inv_b | never).ids)]
        both = (self.level_second | self.level_friendly).ids
        cases = [
            ([("kakeuri_dunning_level_id", "=", self.level_second.id)], inv_a),
            ([("kakeuri_dunning_level_id", "in", both)], inv_a | inv_b),
            ([("kakeuri_dunning_level_id", "!=", False)], inv_a | inv_b),  # the "Reminded" filter
            ([("kakeuri_dunning_level_id", "=", False)], never),
            ([("kakeuri_dunning_level_id", "!=", self.level_second.id)], inv_b | never),
            ([("kakeuri_dunning_level_id", "not in", self.level_friendly.ids)], inv_a | never),
            ([("kakeuri_dunning_level_id.days_overdue", ">=", 15)], inv_a),
            ([("kakeuri_dunning_level_id", "ilike", self.level_friendly.name)], inv_b),
            ([("kakeuri_last_dunning_date", "=", TODAY)], inv_a | inv_b),
            ([("kakeuri_last_dunning_date", "<", TODAY)], Move),
        ]
        for domain, expected in cases:
            self.assertEqual(Move.search(mine + domain), expected, domain)

        # the next run reaches the next level: the row follows
        with freeze_time(TODAY + timedelta(days=20)):
            self._run(run_date=TODAY + timedelta(days=20)).action_send()
        inv_a.invalidate_recordset()
        self.assertEqual(inv_a.kakeuri_dunning_level_id, self.level_final)
        self.assertEqual(inv_a.kakeuri_last_dunning_date, TODAY + timedelta(days=20))
        self.assertEqual(len(self.env["kakeuri.dunning.move.level"].search([("move_id", "=", inv_a.id)])), 1)

    def test_set_by_hand(self):
        inv = self._invoice(self.customers[0], 100.0, 20)
        inv.write({"kakeuri_dunning_level_id": self.level_friendly.id, "kakeuri_last_dunning_date": TODAY})
        row = self.env["kakeuri.dunning.move.level"].search([("move_id", "=", inv.id)])
        self.assertEqual((row.level_id, row.date, row.company_id), (self.level_friendly, TODAY, self.company))
        inv.kakeuri_dunning_level_id = self.level_second
        self.assertEqual(row.level_id, self.level_second)
        inv.kakeuri_dunning_level_id = False
        self.assertFalse(row.exists())
        self.assertFalse(inv.kakeuri_dunning_level_id)

    def test_levels_carried_over_from_the_invoice_columns(self):
        """Upgrade from 18.0.1.1: the columns of ``account_move`` become rows, then go."""
        inv_a = self._invoice(self.customers[0], 100.0, 20)
        inv_b = self._invoice(self.customers[1], 100.0, 20)
        plain = self._invoice(self.customers[2], 100.0, 20)
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(
            "ALTER TABLE account_move"
            " ADD COLUMN kakeuri_dunning_level_id int4"
            " REFERENCES kakeuri_dunning_level(id) ON DELETE RESTRICT,"
            " ADD COLUMN kakeuri_last_dunning_date date"
        )
        for move, level, date in ((inv_a, self.level_second, TODAY), (inv_b, self.level_friendly, None)):
            cr.execute(
                SQL(
                    "UPDATE account_move SET kakeuri_dunning_level_id = %s, kakeuri_last_dunning_date = %s "
                    "WHERE id = %s",
                    level.id,
                    date,
                    move.id,
                )
            )
        MoveLevel = self.env["kakeuri.dunning.move.level"]
        self.assertEqual(MoveLevel._migrate_invoice_columns(), 2)
        self.assertFalse(sql.column_exists(cr, "account_move", "kakeuri_dunning_level_id"))
        self.assertFalse(sql.column_exists(cr, "account_move", "kakeuri_last_dunning_date"))
        self.assertEqual(inv_a.kakeuri_dunning_level_id, self.level_second)
        self.assertEqual(inv_a.kakeuri_last_dunning_date, TODAY)
        self.assertEqual(inv_b.kakeuri_dunning_level_id, self.level_friendly)
        self.assertFalse(inv_b.kakeuri_last_dunning_date)
        self.assertFalse(plain.kakeuri_dunning_level_id)
        self.assertEqual(MoveLevel.search([("move_id", "in", (inv_a | inv_b).ids)]).company_id, self.company)
        self.assertEqual(MoveLevel._migrate_invoice_columns(), 0, "run again: nothing to do")
