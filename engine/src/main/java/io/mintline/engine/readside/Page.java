package io.mintline.engine.readside;

import java.util.List;

/** One keyset page of a list: its items and the cursor of the next page (null on the last). */
public record Page<T>(List<T> items, String next) {}
