"""gunicorn.conf.py: what every gunicorn worker does once it has loaded the app."""

import gc
import importlib.util
import weakref
from pathlib import Path

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def load_conf():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", CONF)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Cycle:
    pass


def test_a_worker_hides_what_it_loaded_from_the_garbage_collector():
    """Full collections would otherwise walk every long-lived object Django loaded (a 60-90 ms
    pause in about one request in sixty); objects made afterwards are still collected."""
    assert gc.get_freeze_count() == 0
    try:
        load_conf().post_worker_init(worker=None)
        assert gc.get_freeze_count() > 10_000
        assert gc.isenabled()
        later = Cycle()
        later.itself = later
        gone = weakref.ref(later)
        del later
        gc.collect()
        assert gone() is None  # a cycle made after the freeze is still collected
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
