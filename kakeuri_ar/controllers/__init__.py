from . import (
    billing_statement_portal,
    payment_plan_portal,
    portal,
    portal_promise,
    reminder_portal,
    statement_portal,
)
