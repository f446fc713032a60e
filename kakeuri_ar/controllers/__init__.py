from . import billing_statement_portal, portal
