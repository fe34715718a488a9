"""Reading tables: CSV files as CRMs and spreadsheets write them, and rows in Python.

:func:`open_table` reads a CSV file (encoding, delimiter, header checks, mapped
columns); the private modules of this package turn rows from any channel into the
library's values.
"""

from .._public import publish
from ._file import DELIMITERS as DELIMITERS
from ._file import FALLBACK_ENCODING as FALLBACK_ENCODING
from ._file import BadRows, Table, open_table
from ._file import comma_decimal as comma_decimal
from ._file import sniff_delimiter as sniff_delimiter

__all__ = ["BadRows", "Table", "open_table"]

publish(globals(), __all__)
