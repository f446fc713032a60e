from . import (
    contract,
    contract_line,
    account_move_contract,
    res_partner_billing,
    res_company_billing,
    res_config_settings_billing,
    billing_statement,
)
