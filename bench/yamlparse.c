/* yamlparse.c: the floor for ymlset on a large file: a bare libyaml event parse. */
#include <stdio.h>
#include <stdlib.h>
#include <yaml.h>

int
main(int argc, char *argv[])
{
	yaml_parser_t p;
	yaml_event_t e;
	FILE *fp;
	char *buf;
	long n;
	int done = 0;

	if (argc != 2 || (fp = fopen(argv[1], "rb")) == NULL)
		return 2;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n);
	if (fread(buf, 1, (size_t)n, fp) != (size_t)n)
		return 3;
	fclose(fp);
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (unsigned char *)buf, (size_t)n);
	while (!done) {
		if (!yaml_parser_parse(&p, &e))
			return 3;
		done = e.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&e);
	}
	yaml_parser_delete(&p);
	free(buf);
	return 0;
}
