# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from markupsafe import escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date


class KakeuriDunningAction(models.AbstractModel):
    """What sending a reminder does besides planning it: letters, activities, fee invoices,
    credit holds and the queued emails, for a batch of dunning lines."""

    _name = "kakeuri.dunning.action"
    _description = "Dunning Actions"

    @api.model
    def _execute_actions(self, lines, results, batch):
        """Queue the emails, mark the letters, create activities and fees, set holds for
        ``lines``. Notes what was done in ``results``; returns the values to write on each
        line."""
        values = {line: {} for line in lines}
        for line in lines:
            level = line.level_id
            if level.print_letter or (level.send_email and not line.contact_partner_id.email):
                values[line]["letter_to_print"] = True
        activity_lines = lines.filtered(lambda ln: ln.level_id.create_activity)
        if activity_lines:
            activities = (
                self.env["mail.activity"].sudo().create(self._prepare_activity_vals_list(activity_lines))
            )
            for line, activity in zip(activity_lines, activities, strict=True):
                values[line]["activity_id"] = activity.id
                results[line]["notes"].append(
                    self.env._("Activity for %(user)s.", user=activity.user_id.name or activity.user_id.login)
                )
        for line in lines.filtered(lambda ln: ln.level_id.fee_amount > 0):
            fee_move, note = self._create_fee_invoice(line)
            values[line]["fee_move_id"] = fee_move.id
            results[line]["notes"].append(note)
        hold_lines = lines.filtered(lambda ln: ln.level_id.set_credit_hold)
        if hold_lines:
            held = self._set_credit_hold(hold_lines)
            for line in hold_lines:
                if line.partner_id.id in held.ids:
                    values[line]["hold_set"] = True
                    results[line]["notes"].append(self.env._("Credit hold set."))
                else:
                    results[line]["notes"].append(self.env._("Already on credit hold."))
        # emails last: the message in the customer's chatter summarises everything done
        email_lines = lines.filtered(lambda ln: ln.level_id.send_email and ln.contact_partner_id.email)
        self._queue_all_emails(email_lines, results, values, batch)
        return values

    @api.model
    def _queue_all_emails(self, email_lines, results, values, batch):
        """Queue the emails of ``email_lines`` per template; note them in ``results`` and
        their messages in ``values``."""
        Mail = self.env["kakeuri.dunning.mail"]
        email_lines = email_lines.with_context(kakeuri_dunning_batch=batch)
        for template, tlines in email_lines.grouped(lambda ln: ln.level_id.mail_template_id).items():
            summaries = {}
            for line in tlines:
                results[line]["notes"].insert(
                    0, self.env._("Email queued to %(email)s.", email=line.contact_partner_id.email)
                )
                summaries[line.id] = line._chatter_body_partner(results[line]["notes"])
            mails = Mail._queue_emails(tlines, template, summaries, batch)
            for line, mail in zip(tlines, mails, strict=True):
                values[line]["mail_message_id"] = mail.mail_message_id.id
        return values

    @api.model
    def _prepare_activity_vals_list(self, lines):
        model_id = self.env["ir.model"]._get_id("res.partner")
        default_type = self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False)
        vals_list = []
        for line in lines:
            level = line.level_id
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": line.partner_id.id,
                    "activity_type_id": (level.activity_type_id or default_type).id,
                    "summary": self.env._(
                        "%(level)s: %(amount)s overdue",
                        level=level.name,
                        amount=format_amount(self.env, line.amount_overdue, line.currency_id),
                    ),
                    "note": escape(
                        self.env._(
                            "Overdue invoices: %(invoices)s (up to %(days)s days overdue). Run %(run)s.",
                            invoices=", ".join(line.move_ids.mapped("name")),
                            days=line.max_days_overdue,
                            run=line.run_id.name,
                        )
                    ),
                    "date_deadline": line.run_id.date,
                    "user_id": (line.user_id or line.run_id.user_id or self.env.user).id,
                }
            )
        return vals_list

    @api.model
    def _prepare_fee_invoice_vals(self, line):
        level = line.level_id
        return {
            "move_type": "out_invoice",
            "partner_id": line.partner_id.id,
            "company_id": line.company_id.id,
            "invoice_date": line.run_id.date,
            "invoice_origin": line.run_id.name,
            "invoice_line_ids": [
                fields.Command.create(
                    {
                        "product_id": level.fee_product_id.id,
                        "name": self.env._(
                            "Late payment fee: %(level)s (%(run)s)",
                            level=level.name,
                            run=line.run_id.name,
                        ),
                        "quantity": 1.0,
                        "price_unit": level.fee_amount,
                    }
                )
            ],
        }

    @api.model
    def _create_fee_invoice(self, line):
        """Create (and post, if the level says so) the fee invoice of ``line``; returns it
        and a note."""
        Move = self.env["account.move"].sudo().with_company(line.company_id)
        move = Move.with_context(tracking_disable=False).create(self._prepare_fee_invoice_vals(line))
        note = self.env._("Fee invoice created in draft.")
        if line.level_id.fee_post:
            try:
                with self.env.cr.savepoint():
                    # the fee is charged because the customer is overdue (often on hold by
                    # now): the credit check would refuse exactly these invoices
                    move.with_context(kakeuri_dunning_fee=True).action_post()
                note = self.env._("Fee invoice %(invoice)s posted.", invoice=move.name)
            except UserError as exc:
                note = self.env._("Fee invoice left in draft: %(error)s", error=str(exc))
        return move, note

    @api.model
    def _set_credit_hold(self, lines):
        """Put the customers on credit hold their new orders are refused until a
        credit manager releases it. The reason names the level and the run. Returns the
        customers put on hold now (not those already on hold)."""
        held = self.env["res.partner"]
        for level, level_lines in lines.grouped("level_id").items():
            partners = level_lines.partner_id.sudo().filtered(lambda p: not p.kakeuri_credit_hold)
            if partners:
                # the customer's chatter gets the dunning summary ("Credit hold set."): no
                # field tracking message per customer on top of it
                partners.with_context(tracking_disable=True).write(
                    {
                        "kakeuri_credit_hold": True,
                        "kakeuri_credit_hold_reason": self.env._(
                            "Dunning: %(level)s sent on %(date)s (run %(run)s).",
                            level=level.name,
                            date=format_date(self.env, level_lines.run_id[:1].date),
                            run=level_lines.run_id[:1].name,
                        ),
                    }
                )
                held |= partners
        return held
