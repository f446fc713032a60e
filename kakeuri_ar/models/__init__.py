from . import res_partner_aging
