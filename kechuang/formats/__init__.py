"""Number formats of the project's two languages (``FORMAT_MODULE_PATH``), read before Django's own:
Django's zh_Hans formats group digits by four with no separator ("1100", "16000000"), whereas
Chinese finance pages group by three with commas ("1,100", "16,000,000"), as ``formatting.money``
does for amounts. Only the number settings are set here; dates and the rest fall through to
Django's locale files."""
