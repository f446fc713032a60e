from . import billing_statement_portal, portal, portal_promise, statement_portal
