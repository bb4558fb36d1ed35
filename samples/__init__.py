"""Sample company, labelled sample inbox, and the generator that makes more labelled documents."""
