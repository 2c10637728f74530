"""What every subscription shares (`jobProgress`, `lotEvents`, `producerScans`, served over
graphql-transport-ws by web/subscriptions.py): each item a service's watcher yields becomes a GraphQL value
with fresh DataLoaders, since a subscription's context lives as long as its connection and a loader would
otherwise answer later items from what it read for the first."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable

from schema.context import Info
from schema.loaders import Loaders


async def stream[Row, Value](
    info: Info, rows: AsyncIterator[Row], convert: Callable[[Row], Value]
) -> AsyncGenerator[Value]:
    try:
        async for row in rows:
            info.context.loaders = Loaders()
            yield convert(row)
    finally:
        aclose = getattr(rows, "aclose", None)
        if aclose is not None:
            await aclose()
