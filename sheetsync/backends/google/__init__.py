"""Google Sheets: ``sheets`` (the backend's read and write), ``setup`` (tabs, columns,
protections, date formats), ``placement`` (where a plan's cells land), ``cells`` (keys,
A1 notation, values), ``cache``, ``transport`` (HTTP, retries, Google's errors),
``auth`` and ``sharing``."""
