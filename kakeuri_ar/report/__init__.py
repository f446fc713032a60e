from . import aging_report, aging_xlsx
