# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import uuid
from collections import defaultdict

from lxml import html
from markupsafe import Markup

from odoo import api, models
from odoo.tools import SQL
from odoo.tools.lru import LRU
from odoo.tools.mail import generate_tracking_message_id

from .kakeuri_dunning_format import DunningBatch

# compiled email bodies {(database, template, language, source, restricted): (functions, name)}:
# a run renders one batch after the other with the same template, compiling it once is enough
# (the source is part of the key, so an edited template is compiled again)
_COMPILED_BODIES = LRU(64)

# what _replace_local_links looks for (src, href, background starting with "/", or a
# style url(...)): a body without any of these is left as it is
_LOCAL_LINK_MARKS = ('src="/', 'href="/', 'background="/', "url(")


class KakeuriDunningMail(models.AbstractModel):
    """The reminder emails of a batch of dunning lines: rendered per language and template
    (the body compiled once), queued as ``mail.mail`` (never sent synchronously) on the
    customers' chatter."""

    _name = "kakeuri.dunning.mail"
    _description = "Dunning Reminder Emails"

    @api.model
    def _queue_emails(self, lines, template, summaries=None, batch=None):
        """Render ``template`` on ``lines`` in one batch and queue one mail.mail each, posted
        on the customer's chatter. The chatter shows ``summaries`` ({line id: html}: level,
        run, invoices, what was done) when given, the email keeps the full rendered body.
        Returns the mails in the order of ``lines``."""
        batch = batch or DunningBatch()
        self._ensure_portal_tokens(lines, batch)
        render = self.env["kakeuri.dunning.render"]
        langs = render._render_template_langs(lines, template)  # once for the fields and the body
        rendered = render._render_template_fields(lines, template, langs)
        for line_id, body in self._render_email_bodies(lines, template, langs, batch).items():
            rendered[line_id]["body_html"] = body
        vals_list = [
            self._prepare_mail_vals(line, template, rendered[line.id], (summaries or {}).get(line.id))
            for line in lines
        ]
        return self._create_mails(vals_list)

    @api.model
    def _ensure_portal_tokens(self, lines, batch):
        """Portal links: the invoices without an access token get one (as
        ``_portal_ensure_token`` makes them), kept in ``batch.tokens`` to be stored with the
        invoices' levels, or stored now when the batch has no such step."""
        missing = lines.move_ids.filtered(lambda m: not m.access_token)
        if batch.tokens is not None:
            for move in missing:
                batch.tokens.setdefault(move.id, str(uuid.uuid4()))
        elif missing:
            self.env.cr.execute(
                SQL(
                    "UPDATE account_move SET access_token = gen_random_uuid()::text "
                    "WHERE id = ANY(%s) AND access_token IS NULL",
                    missing.ids,
                )
            )
            missing.invalidate_recordset(["access_token"])

    @api.model
    def _prepare_mail_vals(self, line, template, res, summary=None):
        """Values of the ``mail.mail`` of ``line`` (with those of its ``mail.message``, a
        comment on the customer), from the rendered template values ``res``."""
        author = self.env.user.partner_id
        body = res.get("body_html") or ""
        partner_ids = res.get("partner_ids") or [line.contact_partner_id.id]
        return {
            "subject": res.get("subject"),
            "body_html": body,
            "body": summary or body,
            "email_from": res.get("email_from") or author.email_formatted,
            "reply_to": res.get("reply_to") or False,
            "email_to": res.get("email_to") or False,
            "email_cc": res.get("email_cc") or False,
            "recipient_ids": [(4, pid) for pid in partner_ids],
            "author_id": author.id,
            "model": "res.partner",
            "res_id": line.partner_id.id,
            "record_name": line.partner_id.display_name,
            "message_type": "comment",
            "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment"),
            "message_id": generate_tracking_message_id(f"{line.partner_id.id}-res.partner"),
            "auto_delete": template.auto_delete,
            "mail_server_id": template.mail_server_id.id,
            "state": "outgoing",
        }

    @api.model
    def _create_mails(self, vals_list):
        """Queue the mails ``vals_list`` with one ORM create for the batch (``mail.mail``
        creates its ``mail.message`` through ``_inherits``). Returns them in that order."""
        mails = self.env["mail.mail"].sudo().create(vals_list)
        documents = defaultdict(list)
        for vals in vals_list:
            documents[vals["model"]].append(vals["res_id"])
        for model, res_ids in documents.items():
            self.env[model].browse(res_ids).invalidate_recordset(["message_ids"])
        return mails

    @api.model
    def _render_email_bodies(self, lines, template, langs, batch):
        """{line id: html}: the template's QWeb body rendered on each line like
        ``mail.template._generate_template`` does, in the recipient's language, but compiled
        once per language for the whole batch (Odoo compiles a template body per record)."""
        restricted = self.env["kakeuri.dunning.render"]._is_restricted_rendering(template)
        per_lang = defaultdict(list)
        for line in lines:
            per_lang[langs.get(line.id) or False].append(line.id)
        lines.move_ids.mapped("access_url")  # portal URLs: computed for the whole batch at once
        results = {}
        for lang, line_ids in per_lang.items():
            results.update(
                self._render_email_bodies_lang(lines.browse(line_ids), template, lang, restricted, batch)
            )
        return results

    @api.model
    def _render_email_bodies_lang(self, lines, template, lang, restricted, batch):
        """{line id: html} of ``lines`` in language ``lang`` (see ``_render_email_bodies``)."""
        tmpl = template.with_context(lang=lang) if lang else template
        source = tmpl.body_html
        if not source:
            return dict.fromkeys(lines.ids, "")
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
        # the rendering values and environment QWeb prepares are the same for every line
        # (constants, user, company, language): prepared once, only `object` changes
        env_qweb = qweb._prepare_environment(base_values)
        context = {"kakeuri_dunning_batch": batch, **({"lang": lang} if lang else {})}
        bodies = {}
        for line in lines.with_context(**context):
            values = dict(base_values, object=line)
            bodies[line.id] = Markup("".join(render(env_qweb, values))[5:-6])
        # local links made absolute (_render_template_postprocess), for the bodies that have a
        # candidate at all: its regular expressions cost more than the rendering
        to_process = {
            line_id: body
            for line_id, body in bodies.items()
            if any(mark in body for mark in _LOCAL_LINK_MARKS)
        }
        if to_process:
            bodies.update(tmpl._render_template_postprocess(template.model, to_process))
        return bodies
