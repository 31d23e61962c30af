"""Lookups the ORM does not have, for queries PostgreSQL plans badly as Django writes them."""

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import lookups
from django.db.models.sql.compiler import SQLCompiler


class InReadFirst(lookups.In):
    """``column IN (subquery)`` that PostgreSQL reads first: ``column = ANY(ARRAY(subquery))``.

    As ``IN``, the subquery becomes a semi-join; in a query joining eight tables or more
    (PostgreSQL's join_collapse_limit), the planner joins them all before the semi-join,
    however few rows it keeps. As an array, the subquery is computed once and the condition
    is on the column, where an index finds the rows. For a subquery of a few thousand rows
    at most (a plan's tasks); other databases get ``IN``. Use as an expression:
    ``Task.objects.filter(InReadFirst(F("pk"), ids))``.
    """

    lookup_name = "in_read_first"

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper,
                      ) -> tuple[str, Any]:
        if self.rhs_is_direct_value():
            return self.as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)  # "(SELECT …)"
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)
