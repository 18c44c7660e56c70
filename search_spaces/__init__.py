"""Built-in search spaces. Each subpackage registers itself through the
``nasearch.search_spaces`` entry-point group, exactly as a third-party plugin would."""
