"""The electrodeposition line: baths, plating kinetics and Faraday, Ag by galvanic immersion."""
