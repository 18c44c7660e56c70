from setuptools import find_packages, setup

setup(
    name="nasearch",
    version="0.1.0",
    description="Neural architecture search around EmProx, a learned embedding-space performance estimator",
    long_description=open("README.md").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.9",
    packages=find_packages(include=["nasearch", "nasearch.*", "search_spaces", "search_spaces.*"]),
    py_modules=["main"],
    package_data={"search_spaces.nasbench201": ["data/*"], "search_spaces.darts": ["data/*"]},
    install_requires=[
        "torch>=2.0",
        "numpy>=1.23",
        "scipy>=1.9",
        "ConfigSpace>=1.0",
        "tqdm>=4.60",
        "pyyaml>=6.0",
        "nas-bench-201>=2.0",
        "nas-bench-graph>=1.3",
        # The CPU-only build on Linux: plain `xgboost` pulls a 469 MB CUDA NCCL wheel there.
        "xgboost-cpu>=2.1; sys_platform == 'linux'",
        "xgboost>=1.7; sys_platform != 'linux'",
        "scikit-learn>=1.2",   # the 8x8 digits dataset of the training objective ships with it
        "matplotlib>=3.6",
        "pymoo>=0.6.1",      # NSGA-II, the multi-objective baseline
        "moocore>=0.1.4",    # hypervolume and non-dominated filtering
        "onnxruntime>=1.16",  # runs the NAS-Bench-301 surrogate benchmark (the darts space's dataset nb301)
        "onnx>=1.15",         # retrain writes the retrained network as an ONNX file
        "plotly>=5.0",       # the interactive figures of `report` (its JavaScript embedded in the page)
        "openTSNE>=1.0",     # the report's 2-D map of the embedding
    ],
    extras_require={
        "ray": ["ray>=2.9"],
        "peers": ["optuna>=3.0", "smac>=2.0", "optuna-dashboard>=0.15"],   # TPE, SMAC; the live view of --dashboard
        "test": ["pytest>=7", "pytest-xdist>=3"],
        "docs": ["mkdocs-material>=9.5", "mkdocstrings[python]>=0.25"],
    },
    entry_points={
        "console_scripts": ["nasearch=main:main"],
        "nasearch.search_spaces": [
            "nasbench201 = search_spaces.nasbench201:NASBench201",
            "nasbench_graph = search_spaces.nasbench_graph:NASBenchGraph",
            "darts = search_spaces.darts:DARTS",
        ],
    },
)
