from tests.s3 import s3_server, s3_store

__all__ = ["s3_server", "s3_store"]
