"""A private S3 bucket, a CoinGecko snapshot and a PokeAPI snapshot landed in it, from Python.

Both resources come from the api-s3-load package (provider/ in this repository): the bucket is the
same component the TypeScript program uses, the snapshot runs the same engine. `pulumi install`
generates the `pulumi_api_s3_load` module from the package's schema (see README.md).
"""

import pulumi
import pulumi_api_s3_load as api_s3_load

config = pulumi.Config()
plan = config.get("coingeckoPlan") or "public"

bucket = api_s3_load.PrivateBucket(
    "data",
    # Lets `pulumi destroy` remove a bucket that still holds snapshots; keep False for real data.
    force_destroy=True,
)

markets = api_s3_load.Snapshot(
    "coins-markets",
    # bucket_name resolves only after every guard rail exists: nothing is written before the
    # bucket is locked down.
    bucket=bucket.bucket_name,
    encryption=bucket.encryption,
    key="coingecko/coins-markets.json",
    endpoint="coins/markets",
    params={"vs_currency": "usd", "per_page": 100},
    max_age="PT1H",
    plan=plan,
    # Stored as a secret whatever you pass; needed for the demo and pro plans only.
    api_key=config.get_secret("coingeckoApiKey"),
)

# Any public JSON API, declared as data (docs/sources.md): PokeAPI pages by the next page's URL in
# each body, and the records are the body's `results`. The object is the list of every page's
# records; `truncated` says whether `max_pages` cut it short.
pokemon = api_s3_load.Snapshot(
    "pokemon",
    bucket=bucket.bucket_name,
    encryption=bucket.encryption,
    key="pokeapi/pokemon.json",
    endpoint="pokemon",
    params={"limit": 100},
    source=api_s3_load.SourceArgs(
        name="pokeapi",
        base_url="https://pokeapi.co/api/v2",
        pagination=api_s3_load.PaginationArgs(type="next-url", from_="$.next"),
        records="$.results",
    ),
    max_pages=20,
)

pulumi.export("bucketName", bucket.bucket_name)
pulumi.export("s3Uri", markets.s3_uri)
pulumi.export("sha256", markets.sha256)
pulumi.export("pokemonS3Uri", pokemon.s3_uri)
pulumi.export("pokemonTruncated", pokemon.truncated)
