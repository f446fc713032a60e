# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Real concurrency for the tests of scheduled jobs and shared worklists: two workers are two
database cursors of the registry, each in its own transaction, committing for real (a test
transaction cannot show what another worker sees). The world a test builds is committed
first and removed by the test's cleanup; the cursors are rolled back and closed before it."""

from odoo import api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase
from odoo.tests.common import get_db_name


class KakeuriConcurrencyCase(BaseCase):
    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        self.cursors = []

    def _close_cursors(self):
        """Roll back and close the workers' cursors still open (a test that failed midway)."""
        for cr in self.cursors:
            if not cr.closed:
                cr.rollback()
                cr.close()

    def _env(self, company_id=None):
        """A new worker: its own cursor and environment (superuser, as a scheduled job runs),
        in ``company_id`` when given."""
        cr = self.registry.cursor()
        self.cursors.append(cr)
        context = {"allowed_company_ids": [company_id]} if company_id else {}
        return api.Environment(cr, api.SUPERUSER_ID, context)

    @staticmethod
    def _delete_chatter(cr, documents):
        """Delete the messages (with their mails), followers and activities of the records
        ``documents`` ([(model, ids)]) that a test committed and removes by SQL: the chatter
        of a record deleted by SQL does not go with it."""
        for model, ids in documents:
            cr.execute(
                "DELETE FROM mail_mail WHERE mail_message_id IN "
                "(SELECT id FROM mail_message WHERE model = %s AND res_id = ANY(%s))",
                [model, list(ids)],
            )
            cr.execute("DELETE FROM mail_message WHERE model = %s AND res_id = ANY(%s)", [model, list(ids)])
            cr.execute(
                "DELETE FROM mail_followers WHERE res_model = %s AND res_id = ANY(%s)", [model, list(ids)]
            )
            cr.execute(
                "DELETE FROM mail_activity WHERE res_model = %s AND res_id = ANY(%s)", [model, list(ids)]
            )
