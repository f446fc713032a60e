from . import (
    account_statement_wizard,
    aging_item,
    aging_line,
    aging_wizard,
    bank_import_wizard,
    closing_run_wizard,
    contract_bill_wizard,
    credit_override_wizard,
    direct_debit_result_wizard,
    dispute_reject_wizard,
    invoice_correction_wizard,
)
