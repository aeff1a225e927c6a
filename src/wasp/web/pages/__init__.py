"""The dashboard's pages: each module holds one family of routes as ``router(web) -> APIRouter``."""
