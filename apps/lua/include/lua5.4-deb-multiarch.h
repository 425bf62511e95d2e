/*
 * Debian's Lua asks for this header (its patch 0002-lua-modules-paths.patch; Debian's
 * build writes it): the multiarch name in the default path of C modules. Skiff loads
 * no C modules (no dlopen), so the name only shows in package.cpath.
 */
#define DEB_HOST_MULTIARCH "skiff"
