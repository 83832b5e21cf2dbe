"""The engine on Apache Spark (issue 16): batch jobs over partitions with ``mapInArrow``.

Never imports Django (an import-linter contract checks it). PySpark is an optional extra
(``pip install kechuang[spark]``, Java 17): this package's :mod:`.standard` and :mod:`.partitions`
need only Arrow and Polars; :mod:`.runner` (jobs) and :mod:`.fitting` (distributed scorecard
fitting) import PySpark.

Entry points: the command ``kechuang spark evaluate|rate|warn|value|points`` (:mod:`.cli`), or in Python
:func:`kechuang.spark.runner.run_job` with a job of :mod:`.partitions`. See docs/scale.md.
"""

from .partitions import (EvaluateJob, Job, PointsJob, RateJob, RejectCode, ValueJob, WarnJob, find_rejects,
                         run_batch)
from .standard import (FactsParquetError, FileCode, check_facts_parquet, ip_items_frame, write_facts_parquet,
                       write_ip_items_parquet)

__all__ = ["EvaluateJob", "FactsParquetError", "FileCode", "Job", "PointsJob", "RateJob", "RejectCode", "ValueJob", "WarnJob",
           "check_facts_parquet", "find_rejects", "ip_items_frame", "run_batch", "write_facts_parquet",
           "write_ip_items_parquet"]
