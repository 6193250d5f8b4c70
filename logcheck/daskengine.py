"""``statusproof logs --engine dask``: the partitioned check on a Dask cluster.

This module owns the connection to Dask (the ``dask`` extra: ``dask`` and ``distributed``):
a client of an existing cluster (``--scheduler ADDRESS``) or of a local cluster of ``--jobs``
worker processes (one thread each), started for the run and closed after it. The work is
:mod:`.partition`'s, the same as ``--jobs``: a task per part of the input reads it and splits
its records by session into partitions, kept on the workers; a task per partition checks it;
the client only receives counts and the partitions' results, and merges them into the report
one process would write.

Every worker must be able to read the record files by the names given (a shared file
system, or a local cluster) and load the table (the bundled one, or a path they can read).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from statusproof.model.model import Model

from .partition import ModelSpec, check_partitioned
from .records import RecordFormatError
from .result import LogResult

__all__ = ["check_with_dask", "dask_client"]


def dask_client(scheduler: str | None, workers: int, processes: bool = True) -> tuple[Any, Any]:
    """A Dask client and the local cluster it runs on (None for an existing cluster)."""
    try:
        import distributed
    except ImportError as e:
        raise RecordFormatError("--engine dask needs dask and distributed; install the dask "
                                "extra: pip install 'statusproof[fast,dask]'") from e
    client_of: Any = distributed.Client
    local_cluster: Any = distributed.LocalCluster
    if scheduler is not None:
        try:
            return client_of(scheduler, timeout="30s"), None
        except (OSError, TimeoutError) as e:
            raise RecordFormatError(f"--scheduler {scheduler}: cannot reach the Dask "
                                    f"scheduler ({e}); check the address") from e
    import os

    os.environ.setdefault("POLARS_MAX_THREADS", "1")
    cluster = local_cluster(n_workers=workers, threads_per_worker=1, processes=processes,
                           dashboard_address=None, silence_logs=40)
    return client_of(cluster), cluster


def check_with_dask(model: Model, files: Sequence[str], options: Any,
                    processes: bool = True) -> LogResult:
    """Check ``files`` on a Dask cluster (``options``: :class:`~.run.RunOptions`)."""
    client, cluster = dask_client(options.scheduler, max(options.jobs, 1), processes)
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        partitions = options.partitions or 4 * workers
        return check_partitioned(model, options.spec or ModelSpec(), files, options.fmt,
                                 options.fields, options.settings, options.timers,
                                 options.max_line_bytes, options.block_size, workers,
                                 partitions, client.submit, lambda job: job.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
