"""LLM providers, one module per backend; `extractors.llm.make_llm_client` picks one."""
