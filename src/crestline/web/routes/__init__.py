"""One ``APIRouter`` per capability, its pages and its ``/api/v1`` routes side by side; a new
capability's routes go in a module of its own here, included by ``create_app``."""
