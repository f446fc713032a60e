# credit
# contracts and closing-day billing
from . import (
    account_move_contract,
    account_move_credit,
    billing_statement,
    contract,
    contract_line,
    kakeuri_credit_policy,
    res_company_billing,
    res_config_settings_billing,
    res_partner_billing,
    res_partner_credit,
    sale_order_credit,
    sale_order_line_credit,
)
