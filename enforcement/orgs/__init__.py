"""Organisation units: bureaus, guidance stations, police, procuratorates and courts."""
