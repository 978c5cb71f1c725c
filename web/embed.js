/* Parley embed widget: placeholder until issue #4 lands. */
