"""Import (导入): the party office's files into the database, every row checked, all or nothing.

The flow and who owns each step:

* `reader`: bytes → a table of text cells, each row with its spreadsheet row number (`_row`);
* `fields`: what each kind of file holds (fields, header aliases, enum spellings) and header mapping;
* `parse`: cells → typed values in SQL, satisfaction scales detected and mapped to 0–100;
* `checks`: problems within the file (cells, repeated keys and rows);
* `stored`: the file against stored records (unchanged, conflicts, overlapping exports, replace);
* `importer`: the call (`import_files`, `preview`, `history`, `undo`) and its messages;
* `model`: what a file, the options and the reports are; `report`: reports as tables for the page;
  `templates`: the XLSX templates.

The rules below are the product's; the README and the About page say the same.

One call of `import_files` is one transaction. Files are loaded in dependency order (branches, then
departments, then the records), each as an import batch. If any file has an error, nothing is stored.

**Row numbers.** The reader gives every row its spreadsheet row number as a column (`_row`); every
table and query below carries it, and every error and warning quotes it. Nothing relies on the order
in which DuckDB returns or stores rows.

**Validation** is vectorised SQL over the whole file (the `pbi_*` parsing macros in
`queries.PARSE_MACROS`) and collects every error as data (`RowError`: row, column, value, code,
message; for conflicts also the stored value and the batch and file that stored it).

**Satisfaction scales.** Each score column's scale is detected from the bulk of its values
(`detect_scale`): 1–5 when nearly all (98 %) lie in 1–5, 0–1 proportions, 0–10 (with some 0) and
0–100; values outside the detected scale are out-of-range errors at their rows. A column that fits no
scale clearly (only 0 and 1; 1–10 without a 0; a mixture) is refused with a request to choose one
(`--scale`). Scores are stored on 0–100: 1–5 as (x−1)×25, 0–10 as x×10, 1–10 as (x−1)×100/9,
0–1 as x×100; a cell written with a per cent sign ("85.3%") is read as 0–100 whatever the scale. Each
column is judged on its own: items on 1–5 beside an overall score on 0–100 are mapped and kept as they are.

**Workbooks.** Every sheet holding a recognised table is its own table to import (and batch, named
`file › sheet`); other sheets are listed as skipped. Rows hidden or filtered out in Excel are left out and
listed (`include_hidden` keeps them).

**Ids and corrections.** A ledger with the source's own ids (`source_id`: 活动编号, 案件编号 …) is matched by
them (records stored without an id by their key): the same id with other values is a conflict; every row of
such a file needs an id. A file that corrects a batch (`replaces`) first sets all of that batch's records
aside (undoing the correction puts them back); it must be of the batch's kind, and the batch must stand.
A ledger of activities or discipline records without ids that re-presents most of a stored batch (at least
as many of its records as it leaves out), leaves some out and brings new rows looks like a corrected version
(`looks-corrected`): refused, unless `replace` (the batch's records it no longer holds are set aside) or
`keep_repeats` (kept).

**The organisation's history.** Registers are stored as versions valid from a day (`valid_from`: the
option, else the corrected batch's day, else the import day); a register row is compared with its code's
version in force on that day: the same values are unchanged, other values a conflict when that version holds
from the same day, else a new version. `metrics.in_force` gives each period the versions in force on its
first day; codes of the register's first day also stand for earlier periods, a code that came later exists
from the period of its first version, and a record dated before that is an error (`not-yet-registered`). A
correction of a register must keep every code records use (`replaces-orphans`); a batch corrected or
replaced already cannot be corrected again (`replaces-replaced`: correct the batch that stands).

**Meetings.** An activity's status (召开情况: held, not held, cancelled) is read; 0 attendees of a positive
expected number is not held (a warning names the rows). Only held activities count (`queries.PANEL_*`).

**Times** are stored as Beijing time (UTC+8, no summer time), without a zone: a time written with a zone
(`2024-03-05T06:30:00Z`, `+08:00`, `+0800`, `-05:00`, `UTC`) is converted (`…T06:30:00Z` is 14:30), and a
date written with a time and a zone is the day in Beijing. 上午/下午 and AM/PM, before or after the time, give
the hour (`3:00 PM`, `下午3:00`, `下午3点` are 15:00; `12:30 AM` is 00:30); with a meridiem the hour must be
1–12. Words (`epoch`, `now`, `today`) and anything DuckDB's own cast would read by guess or cut short (an
offset without a sign) are errors at their rows.

**Periods**: `2024.1` is refused as ambiguous (`ambiguous-period`): January, or October typed as 2024.10,
which Excel stores as the number 2024.1. `2024.01`, `2024.10`, `2024.3`, `2024-1`, `2024年1月` are the months
they say.

**Names** of branches and departments are compared as spelling keys (`pbi_key`: full width made half width,
spaces and case ignored: 内科（一） and 内科(一) are one name), within a register, against the names a new code
may not take, and when records name a branch or department.

**Dates** of things that happened (activities, answers, records, completed rectifications, periods)
may not lie after the day of the import: such rows are errors.

**Rows that repeat or overlap** (the rules, per kind: within one file / against stored records):

* branches, departments: the same code or name twice is an error naming both rows / a stored row with
  the same code and values is unchanged (not stored again); with other values it is a conflict.
* activities: rows with the same date, branch, type and topic whose other cells differ are two
  activities, both stored, with a warning naming both rows; rows identical in every cell (columns not
  imported included) are stored once, with a warning naming both rows (`keep_repeats` stores both) /
  a row identical to a stored activity is that activity: of each set of identical activities only the
  file's count beyond the stored count is added, so a re-imported ledger never counts twice; a new row
  sharing date, branch, type and topic with a stored activity that the file no longer holds is a
  conflict (a correction, or another session? the clerk says which).
* satisfaction answers with a response id (答卷编号, 问卷编号, 序号 …): the same id and population twice is
  stored once when the rows are identical (a warning names both), else an error / a stored answer with
  the same id, population and minute of submission is the same answer: unchanged, or with other values
  a conflict (an id alone may be only an export's row counter).
* satisfaction answers, with or without ids: identical answers are all kept (two patients may answer
  alike) / stored answers of a department and population of the file, inside the time range the file
  covers for that department and population, that no id of the file matches, mean an overlapping
  export: refused unless `replace` (those stored answers are set aside) or `keep_repeats` (both kept).
  Answers without ids are never matched cell by cell.
* satisfaction aggregates (department, period, population) and discipline records (date, department,
  category, summary, persons): the same key twice is an error / the same key with the same values is
  unchanged, with other values a conflict.

Satisfaction aggregates of one department and population at several grains are different keys and all
stored; which one counts is decided when counting, not at import: one source per department × period ×
population, the finest (`queries.COUNTED_AGGREGATES`). Discipline rows whose rectification status disagrees
with their dates are stored as written, with a warning naming them and saying how they count
(`queries.RECTIFICATION_STATES`): 整改中 with a 完成日期 is completed on that date (on time or late, never
open or overdue); 已整改 without a 完成日期 is completed with its timeliness unknown; 无需整改 with a deadline
or completion date stays not required.

A conflict is an error showing the stored and the new value of each differing cell, with the batch and
file that stored the old one. `replace` resolves it: the stored rows move to `<table>_replaced`, so
undoing the import puts them back. The same file (same SHA-256) imported again is skipped unless `force`.
"""
