# credit
from . import (
    account_move_credit,
    kakeuri_credit_policy,
    res_partner_credit,
    sale_order_credit,
    sale_order_line_credit,
)

# contracts and closing-day billing
from . import (
    contract,
    contract_line,
    account_move_contract,
    res_partner_billing,
    res_company_billing,
    res_config_settings_billing,
    billing_statement,
)
