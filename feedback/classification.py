"""The classifier as the app sees it: loaded once per process, optional, never fatal."""

import logging
import threading

log = logging.getLogger(__name__)


class ClassifierHolder:
    """Loads the model file on first use and keeps it; a missing or broken model yields None."""

    def __init__(self, model_dir=None):
        self.model_dir = model_dir
        self._model = None
        self._failed = False
        self._lock = threading.Lock()

    def get(self):
        if self._model is not None or self._failed:
            return self._model
        with self._lock:
            if self._model is None and not self._failed:
                try:
                    from classifier import load_model

                    self._model = load_model(self.model_dir)
                except Exception as error:  # any failure degrades tagging only
                    log.warning("classifier unavailable, opinions will be stored untagged: %s", error)
                    self._failed = True
        return self._model

    def warm_up(self):
        """Load the model and run it once (explanation weights included); True if it works.

        Serving calls this before gunicorn forks its workers (--preload): they then share
        the model's memory and none spends its first seconds loading it."""
        model = self.get()
        if model is None:
            return False
        try:
            model.predict("Cán bộ tiếp dân nhiệt tình").to_dict()
        except Exception as error:  # degrades tagging only, as get() does
            log.warning("classifier failed its warm-up: %s", type(error).__name__)
            return False
        return True

    def replace(self, model):
        """Swap in another model (after an admin activates a version); None forgets it."""
        with self._lock:
            self._model = model
            self._failed = False

    def reset(self, model_dir=None):
        """Forget the loaded model so the next get() loads model_dir."""
        with self._lock:
            self.model_dir = model_dir
            self._model = None
            self._failed = False
