from . import billing_statement_portal, portal, statement_portal
