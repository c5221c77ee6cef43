"""ocgate: contract, scenario and load testing for the Sitecore OrderCloud API."""
