"""Settings: environment variables `NUMMUS_*` (plus `DATABASE_URL`) and an optional `nummus.toml`.

Precedence (highest first): keyword arguments, environment, `nummus.toml` (in the working
directory, or the file named by `NUMMUS_CONFIG`), defaults.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


def _config_file() -> Path:
    return Path(os.environ.get("NUMMUS_CONFIG", "nummus.toml"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NUMMUS_", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(default=Path("nummus-data"), description="data folder (NUMMUS_DATA_DIR)")
    duckdb_path: Path | None = Field(
        default=None, description="DuckDB warehouse file (default: DATA_DIR/warehouse.duckdb)"
    )
    object_store_url: str | None = Field(
        default=None,
        description="fsspec URL of the object store: a local folder (default DATA_DIR/objects) "
        "or s3://bucket/prefix (endpoint and credentials from the environment)",
    )
    s3_endpoint_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("NUMMUS_S3_ENDPOINT_URL", "AWS_ENDPOINT_URL", "s3_endpoint_url"),
        description="S3-compatible endpoint, e.g. https://fra1.digitaloceanspaces.com",
    )
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("NUMMUS_DATABASE_URL", "DATABASE_URL", "database_url"),
        description="PostgreSQL URL; unset = the embedded server in DATA_DIR/pg",
    )
    app_database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL for the app's read-only role (default: derived from DATABASE_URL)",
    )
    debug: bool = False

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=_config_file()),
        )

    # derived locations -------------------------------------------------------------
    @property
    def data_path(self) -> Path:
        return self.data_dir.expanduser().resolve()

    @property
    def warehouse_path(self) -> Path:
        return (self.duckdb_path or self.data_path / "warehouse.duckdb").expanduser().resolve()

    @property
    def pg_data_path(self) -> Path:
        return self.data_path / "pg"

    @property
    def objects_url(self) -> str:
        return self.object_store_url or str(self.data_path / "objects")

    @property
    def embedded_postgres(self) -> bool:
        return not self.database_url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests call `get_settings.cache_clear()` after changing env)."""
    return Settings()
