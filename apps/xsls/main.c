/*
 * xsls: print this domain's view of its own xenstore subtree, with each node's value
 * and permissions, like `xenstore-ls -p` run inside the guest. Everything a PV guest
 * learns from the toolstack (its name, devices, backends, control) is in there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/xenstore.h>

static void list(const char *path, int depth)
{
	char **names, *value;
	unsigned int n, nperms;
	struct xs_perm perms[8];
	char child[512];

	if (xs_read(XS_NO_TRANSACTION, path, &value) == 0) {
		/* The last path element, indented, = "value" (perms). */
		const char *leaf = strrchr(path, '/');

		printf("%*s%s = \"%s\"", depth * 2, "", leaf ? leaf + 1 : path, value);
		free(value);
		if (xs_get_perms(XS_NO_TRANSACTION, path, perms, 8, &nperms) == 0) {
			printf("  (");
			for (unsigned int i = 0; i < nperms; i++)
				printf("%s%c%u", i ? " " : "", perms[i].access, perms[i].domid);
			printf(")");
		}
		printf("\n");
	}
	if (xs_directory(XS_NO_TRANSACTION, path, &names, &n))
		return;
	for (unsigned int i = 0; i < n; i++) {
		snprintf(child, sizeof(child), "%s/%s", path, names[i]);
		list(child, depth + 1);
	}
	free(names);
}

int main(void)
{
	char home[64];

	snprintf(home, sizeof(home), "/local/domain/%u", xs_domid());
	printf("xsls: %s\n", home);
	list(home, 0);
	return 0;
}
