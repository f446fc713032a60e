from . import billing_statement_portal, payment_plan_portal, portal, statement_portal
