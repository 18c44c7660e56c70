"""The ``sources`` options section: which sources a search uses by default, how a section is
resolved against those defaults, and how its source objects are built."""
from __future__ import annotations

from ....config import build, to_dict
from ....errors import ConfigError
from ....registry import proposal_sources


#: The sources of a search that names none, in the allocation's order (NAO-guided's: every
#: built-in source on). EmProx-NAO declares its own (:data:`EMPROX_NAO_SOURCES`).
DEFAULT_SOURCES = {"ascent": {}, "mutation": {}, "sample": {}}
#: EmProx-NAO's default: the decoded ascent off, and mutation parents drawn among the 30 most
#: recently told architectures (regularized evolution's ageing, as its default population).
#: Measured against the same search with the ascent on, in 17 cells of four benchmarks
#: (docs/RESULTS.md, "Does the climb earn its place?"), the climb won none, so the cheaper
#: search, which needs no pretrained decoder, is the default; ``sources: {ascent: {}}`` turns
#: it on. Aged parents won 4 of 5 cells on NAS-Bench-301 and tied all 4 on NAS-Bench-201
#: cifar10-valid, at no cost; ``sources: {mutation: {population: 0}}`` draws from every told one.
#: Tournaments of 20 (greedier parents than the Config's 10) won on 40 NAS-Bench-301 seeds at
#: 50-300 evaluations and lost in none of five tables ("Greedier parents", docs/RESULTS.md).
EMPROX_NAO_SOURCES = {"ascent": "off", "mutation": {"population": 30, "tournament": 20}, "sample": {}}
OFF = (None, False, "off")


def resolve_sources(section, defaults: dict = DEFAULT_SOURCES) -> dict:
    """The full ``sources`` section: ``section`` laid over ``defaults`` source by source (a source
    named in ``section`` takes its options from there alone, over its Config's defaults, so a run
    recorded before a source gained an option keeps that option's old default); each source's
    options resolved by its Config; a source set to ``off`` (or null, or false) stays ``off``."""
    if not isinstance(section, dict):
        raise ConfigError(f"option sources must be a mapping of source names to options or off, got {section!r}")
    resolved = {}
    for name, options in {**defaults, **section}.items():
        if options in OFF:
            resolved[name] = "off"
            continue
        factory = proposal_sources.factory(name)
        resolved[name] = to_dict(build(factory.Config, {} if options is True else options, f"sources.{name}"))
    if all(options == "off" for options in resolved.values()):
        raise ConfigError("every proposal source is off; turn one on, e.g. sources: {mutation: {}}; "
                          "the sources are: " + ", ".join(resolved))
    return resolved


def build_sources(section: dict, context) -> list:
    """The :class:`ProposalSource` objects of a resolved ``sources`` section, in its order."""
    built = []
    for name, options in section.items():
        if options != "off":
            factory = proposal_sources.factory(name)
            built.append(factory(build(factory.Config, options, f"sources.{name}"), context))
    return built
