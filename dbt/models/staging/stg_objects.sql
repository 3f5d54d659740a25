-- The object store listing (refreshed by `nummus build`), for the file-exists tests.
select
    object_key::varchar  as object_key,
    bytes::bigint        as bytes,
    listed_at::timestamp as listed_at
from {{ source('raw', 'objects') }}
