"""Documents Duban produces for offices that live in Excel and print: the task ledger
(督办台账), the department's monthly report sheet, the quarterly bulletin and the annual
assessment as .xlsx and PDF.

Builders here only lay out data that a selector prepared; rules stay in services.
"""
