"""Reading tables: CSV files as CRMs and spreadsheets write them, and rows in Python.

:func:`open_table` reads a CSV file (encoding, delimiter, header checks, mapped
columns); the private modules of this package turn rows from any channel into typed
field mappings, one converter per record kind (``_records``: events, responses, KOL
candidates; ``_kinds``: profiles, touches, outcomes, lifecycle rows, accounts;
``_deals``: deals), which every channel uses: ``_reading`` and ``_event_file`` read
CSV files, ``_read`` (``rows_of``, ``read_events``, with the reading options of
``_options``) and ``_frames`` rows in Python and DataFrames. The
package imports none of the domain packages; they build their records from the
fields.
"""

from .._public import publish
from ._file import DELIMITERS as DELIMITERS
from ._file import FALLBACK_ENCODING as FALLBACK_ENCODING
from ._file import BadRows, Table, open_table
from ._file import comma_decimal as comma_decimal
from ._file import sniff_delimiter as sniff_delimiter

__all__ = ["BadRows", "Table", "open_table"]

publish(globals(), __all__)
