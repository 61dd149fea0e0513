"""Cu crystal texture: electroformed map, JMAK recrystallisation, the batch coil anneal."""
