from . import aging_report, aging_xlsx, credit_exposure, dunning_collection, receivable_ledger
