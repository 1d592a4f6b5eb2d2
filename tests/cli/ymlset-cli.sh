#!/bin/bash
# ymlset-cli.sh: yq's command line and output formats in ymlset; each expected
# output is what yq v4.53.6 printed for the same line, unless a comment says
# why ymlset differs on purpose.
. "$(dirname "$0")/../lib/cli.sh"

plan 62

# A kustomize overlay as pipelines edit it, and a three-document stream.
kust() {
	cat >k.yaml <<'EOF'
# dev overlay
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
images:
  - name: myapp   # the app
    newTag: "1.0"
  - {name: sidecar, newTag: v0.9}
EOF
}
multi() {
	printf 'a: 1\ns: "x y"\n---\nb: [1, {c: d}]\n---\na: 3\n' >m.yaml
}

begin "eval, e, eval-all, ea and the bare form read the same"
kust
for c in eval e eval-all ea ''; do
	run ymlset $c '.images[0].newTag' k.yaml
	expect_rc 0
	expect_out_text '1.0'
	expect_no_err
done
end

begin "the article's line: eval EXPR -i FILE edits only the tag"
kust
run ymlset eval '.images[0].newTag = "abc123def"' -i k.yaml
expect_rc 0
expect_no_out
sed 's/"1.0"/"abc123def"/' >want <<'EOF'
# dev overlay
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
images:
  - name: myapp   # the app
    newTag: "1.0"
  - {name: sidecar, newTag: v0.9}
EOF
cmp -s k.yaml want || fail "k.yaml: $(diff -u want k.yaml)"
end

begin "-i before the command and --inplace after the files"
kust
run ymlset -i e '.images[1].newTag = "v1"' k.yaml
expect_rc 0
grep -qF '  - {name: sidecar, newTag: v1}' k.yaml || fail "$(cat k.yaml)"
run ymlset e '.kind = "Component"' k.yaml --inplace
expect_rc 0
grep -qx 'kind: Component' k.yaml || fail "$(cat k.yaml)"
end

begin "e alone is the command without an expression: usage, exit 2"
run ymlset e
expect_rc 2
expect_err 'ymlset: no expression'
expect_err 'usage: ymlset'
expect_no_out
end

begin "a file named e: the expression always comes first"
printf 'a: 2\n' >e
run ymlset e '.a' e
expect_rc 0
expect_out_text 2
run ymlset '.a' e
expect_rc 0
expect_out_text 2
end

begin "a first argument that is a file: the expression is '.' (as yq)"
printf 'a: 2\n' >f.yaml
printf 'a: 0\n' >g.yaml
run ymlset f.yaml g.yaml
expect_rc 0
printf 'a: 2\n---\na: 0\n' >want
expect_out want
end

begin "results of several documents are separated by ---, as yq"
multi
run ymlset '.a' m.yaml
expect_rc 0
printf '1\n---\nnull\n---\n3\n' >want
expect_out want
end

begin "select: only the documents that print are separated"
multi
run ymlset 'select(.a)' m.yaml
expect_rc 0
printf 'a: 1\ns: "x y"\n---\na: 3\n' >want
expect_out want
end

begin "-N and --no-doc: no separators"
multi
for f in -N --no-doc; do
	run ymlset $f '.a' m.yaml
	expect_rc 0
	printf '1\nnull\n3\n' >want
	expect_out want
done
end

begin "-N on whole documents: their own --- lines go too, as yq"
multi
run ymlset -N . m.yaml
expect_rc 0
printf 'a: 1\ns: "x y"\nb: [1, {c: d}]\na: 3\n' >want
expect_out want
end

begin "-N keeps a comment that followed ---, on its own line"
# yq prints '# Source: xa: 1' here (the line break is lost); ymlset keeps it.
printf -- '--- # Source: x\na: 1\n---\nb: 2\n' >h.yaml
run ymlset -N . h.yaml
expect_rc 0
printf '# Source: x\na: 1\nb: 2\n' >want
expect_out want
end

begin "-o json after an edit: the edited document"
kust
run ymlset -o json -I0 '.images[0].newTag = "v2"' k.yaml
expect_rc 0
expect_out_text '{"apiVersion":"kustomize.config.k8s.io/v1beta1","kind":"Kustomization","images":[{"name":"myapp","newTag":"v2"},{"name":"sidecar","newTag":"v0.9"}]}'
end

begin "separators run across files"
multi
printf 'b: 2\n' >d.yaml
run ymlset '.b' m.yaml d.yaml
expect_rc 0
printf 'null\n---\n[1, {c: d}]\n---\nnull\n---\n2\n' >want
expect_out want
end

begin "-o json: the whole document, indented by 2, comments gone"
kust
run ymlset -o json k.yaml
expect_rc 0
cat >want <<'EOF'
{
  "apiVersion": "kustomize.config.k8s.io/v1beta1",
  "kind": "Kustomization",
  "images": [
    {
      "name": "myapp",
      "newTag": "1.0"
    },
    {
      "name": "sidecar",
      "newTag": "v0.9"
    }
  ]
}
EOF
expect_out want
end

begin "-o json spellings: -o=json, -oj, --output-format=j, -j, -I0 -I=0"
kust
for f in '-o=json -I0' '-oj -I=0' '--output-format=j --indent=0' '-j -I 0'; do
	run ymlset $f '.images' k.yaml
	expect_rc 0
	expect_out_text '[{"name":"myapp","newTag":"1.0"},{"name":"sidecar","newTag":"v0.9"}]'
done
end

begin "-o json -I4"
kust
run ymlset -I4 -o json '.images[0]' k.yaml
expect_rc 0
printf '{\n    "name": "myapp",\n    "newTag": "1.0"\n}\n' >want
expect_out want
end

begin "-o json: one result per document, no separators"
multi
run ymlset -o json -I0 '.a' m.yaml
expect_rc 0
printf '1\nnull\n3\n' >want
expect_out want
end

begin "-o json: strings quoted by default, bare with -r"
multi
run ymlset -o json '.s' m.yaml
expect_rc 0
printf '"x y"\nnull\nnull\n' >want
expect_out want
run ymlset -o json -r '.s' m.yaml
expect_rc 0
printf 'x y\nnull\nnull\n' >want
expect_out want
end

begin "-o json: numbers, escapes, tags, anchors and merge keys"
cat >in.yaml <<'EOF'
n: [0x10, 0o17, 1_000, .5, 5., 1.0, 1e3, -0, +1]
s: ["<>&", "\t\x01\u2028", yes, !!str 12, !!int "12", !!binary aGk=]
base: &b {k: v, n: 2}
m: {<<: *b, n: 3}
r: *b
EOF
run ymlset -o json -I0 in.yaml
expect_rc 0
expect_out_text '{"n":[16,15,1000,0.5,5.0,1.0,1e3,-0.0,1],"s":["<>&","\t\u0001\u2028","yes","12",12,"aGk="],"base":{"k":"v","n":2},"m":{"k":"v","n":3},"r":{"k":"v","n":2}}'
end

begin "-o json: .inf has no JSON form, exit 3 (yq refuses it too)"
printf 'a: .inf\n' >in.yaml
run ymlset -o json in.yaml
expect_rc 3
expect_err "'.inf' has no JSON form"
expect_no_out
end

begin "-o json: an alias bomb is refused quickly (exit 3)"
{
	echo 'a: &a [x,x,x,x,x,x,x,x,x,x]'
	p=a
	for c in b c d e f g h i; do
		echo "$c: &$c [*$p,*$p,*$p,*$p,*$p,*$p,*$p,*$p,*$p,*$p]"
		p=$c
	done
} >bomb.yaml
run timeout 60 ymlset -o json bomb.yaml
expect_rc 3
expect_err 'aliases expand'
end

begin "-o props, as yq (comments are not printed)"
kust
run ymlset -o props k.yaml
expect_rc 0
cat >want <<'EOF'
apiVersion = kustomize.config.k8s.io/v1beta1
kind = Kustomization
images.0.name = myapp
images.0.newTag = 1.0
images.1.name = sidecar
images.1.newTag = v0.9
EOF
expect_out want
run ymlset -o p '.images[1]' k.yaml
expect_rc 0
printf 'name = sidecar\nnewTag = v0.9\n' >want
expect_out want
end

begin "-r=false and --unwrapScalar=false: scalars as YAML"
multi
for f in -r=false --unwrapScalar=false; do
	run ymlset $f '.s' m.yaml
	expect_rc 0
	printf '"x y"\n---\nnull\n---\nnull\n' >want
	expect_out want
done
end

begin "-r with a value that is not a boolean: usage, exit 2"
multi
run ymlset -r=maybe '.s' m.yaml
expect_rc 2
expect_err "-r takes true or false (-r=false), not 'maybe'"
end

begin "-P: collections re-emitted in yq's block style"
multi
run ymlset -P '.b' m.yaml
expect_rc 0
printf 'null\n---\n- 1\n- c: d\n---\nnull\n' >want
expect_out want
end

begin "-P on the whole document (comments and anchors are not kept)"
kust
run ymlset -P k.yaml
expect_rc 0
cat >want <<'EOF'
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
images:
  - name: myapp
    newTag: "1.0"
  - name: sidecar
    newTag: v0.9
EOF
expect_out want
end

begin "-n: evaluate against null, no file read"
run ymlset -n '.a.b = "cat"'
expect_rc 0
printf 'a:\n  b: cat\n' >want
expect_out want
run ymlset -n -o json -I0 '.a.b = "cat"'
expect_rc 0
expect_out_text '{"a":{"b":"cat"}}'
end

begin "-n with a file: usage, exit 2 (yq: exit 1)"
printf 'a: 1\n' >f.yaml
run ymlset -n '.a' f.yaml
expect_rc 2
expect_err "-n reads no file: drop 'f.yaml' or -n"
end

begin "-0: each result ends with NUL (without yq's --- lines)"
kust
run ymlset -0 '.images[].name' k.yaml
expect_rc 0
printf 'myapp\0sidecar\0' >want
expect_out want
multi
run ymlset -0 '.a' m.yaml
expect_rc 0
printf '1\0null\0003\0' >want
expect_out want
end

begin "-0: a whole document ends with NUL"
printf 'a: 1\n' >f.yaml
run ymlset --nul-output . f.yaml
expect_rc 0
printf 'a: 1\0' >want
expect_out want
end

begin "--from-file and --expression: every argument is a file"
kust
printf '.images[1].name\n' >x.expr
run ymlset --from-file x.expr k.yaml
expect_rc 0
expect_out_text sidecar
run ymlset --expression .kind k.yaml
expect_rc 0
expect_out_text Kustomization
end

begin "--from-file: a missing file is exit 4"
run ymlset --from-file nope.expr
expect_rc 4
expect_err nope.expr
end

begin "-e with -o json: null is exit 1"
kust
run ymlset -e -o json '.zz' k.yaml
expect_rc 1
expect_out_text null
end

begin "-M is accepted (output is never coloured)"
kust
run ymlset -M '.kind' k.yaml
expect_rc 0
expect_out_text Kustomization
end

begin "-p yaml and -p json are read as YAML"
printf '{"a": [1, {"b": null}]}\n' >in.json
run ymlset -p json -o json -I0 '.a' in.json
expect_rc 0
expect_out_text '[1,{"b":null}]'
run ymlset -p=yaml '.a[0]' in.json
expect_rc 0
expect_out_text 1
end

begin "-o xml: yq's format, not supported, exit 2"
printf 'a: 1\n' >f.yaml
run ymlset -o xml . f.yaml
expect_rc 2
expect_err "yq's output format 'xml' is not supported: ymlset writes yaml, json or props"
expect_no_out
end

begin "-o bogus: unknown format, exit 2"
printf 'a: 1\n' >f.yaml
run ymlset -o bogus . f.yaml
expect_rc 2
expect_err "unknown output format 'bogus': use yaml, json or props"
end

begin "-p xml and -p props: not supported, exit 2"
printf 'a: 1\n' >f.yaml
run ymlset -p xml . f.yaml
expect_rc 2
expect_err "yq's input format 'xml' is not supported"
run ymlset -p props . f.yaml
expect_rc 2
expect_err "yq's input format 'props' is not supported"
end

for f in -C --colors -s --split-exp=x -f --front-matter=extract \
    --header-preprocess --xml-attribute-prefix=+ -c; do
	begin "yq's $f: named and refused, exit 2"
	printf 'a: 1\n' >f.yaml
	run ymlset $f '.a' f.yaml
	expect_rc 2
	name=${f%%=*}
	case $name in
	-C|--colors) name=-C/--colors ;;
	-s|--split-exp) name=-s/--split-exp ;;
	-f|--front-matter) name=-f/--front-matter ;;
	-c) name=-c/--yaml-compact-seq-indent ;;
	esac
	expect_err "ymlset: yq's $name is not supported"
	expect_no_out
	[ "$(wc -l <err)" -eq 1 ] || fail "more than one line: $(cat err)"
	end
done

begin "an option that is not yq's either: unknown, usage, exit 2"
run ymlset --nonsense . 
expect_rc 2
expect_err "unknown option '--nonsense'"
expect_err 'usage: ymlset'
end

begin "-i with -o json or -P: usage, exit 2, file unchanged"
printf 'a: 1\n' >f.yaml
run ymlset -i -o json '.a = 2' f.yaml
expect_rc 2
expect_err '-i writes the file back as YAML'
run ymlset -i -P '.a = 2' f.yaml
expect_rc 2
[ "$(cat f.yaml)" = 'a: 1' ] || fail "f.yaml: $(cat f.yaml)"
end

begin "-I out of range: usage, exit 2"
run ymlset -I 99 -o json -n '.a = 1'
expect_rc 2
expect_err "-I takes a number of spaces from 0 to 16, not '99'"
end

# eval-all and several files: documents, separators, -i across files.
twofiles() {
	printf '# first\na: 1 # one\n---\na: 2\n' >x.yaml
	printf 'a: 3\n' >y.yaml
}

begin "ea: results of the documents of several files, --- between, as yq"
twofiles
for c in ea eval-all e; do
	run ymlset $c '.a' x.yaml y.yaml
	expect_rc 0
	printf '1\n---\n2\n---\n3\n' >want
	expect_out want
done
run ymlset ea -N '.a' x.yaml y.yaml
expect_rc 0
printf '1\n2\n3\n' >want
expect_out want
end

begin "ea: the files as they are when every document is a result"
twofiles
run ymlset ea . x.yaml y.yaml
expect_rc 0
printf '# first\na: 1 # one\n---\na: 2\n---\na: 3\n' >want
expect_out want
end

begin "ea: [...] collects over every document of every file, fileIndex selects"
twofiles
run ymlset ea '[.a]' x.yaml y.yaml
expect_rc 0
# yq keeps the '# one' comment on the first item; ymlset writes the values.
printf -- '- 1\n- 2\n- 3\n' >want
expect_out want
run ymlset ea -o json -I0 'select(fi == 1), (.a | fileIndex)' x.yaml y.yaml
expect_rc 0
printf '{"a":3}\n0\n0\n1\n' >want
expect_out want
run ymlset ea -o json -I0 '. as $d ireduce ([]; . + [$d.a])' x.yaml y.yaml
expect_rc 0
printf '[1,2,3]\n' >want
expect_out want
end

begin "split_doc: each result a document, --- between"
printf -- '- {a: 1}\n- {b: 2}\n' >s.yaml
run ymlset '.[] | split_doc' s.yaml
expect_rc 0
printf -- '{a: 1}\n---\n{b: 2}\n' >want
expect_out want
end

begin "ea -i: each document goes back to its own file, byte for byte, mode kept"
# yq writes every document of every file into the first file; ymlset
# writes each file's own documents back to it (see ymlset(1)).
twofiles
printf 'b: 0\n' >z.yaml
chmod 640 y.yaml
zino=$(stat -c %i z.yaml)
run ymlset ea -i 'select(has("a")).a |= . + 10' x.yaml y.yaml z.yaml
expect_rc 0
expect_no_out
printf '# first\na: 11 # one\n---\na: 12\n' >want
cmp -s x.yaml want || fail "x.yaml: $(diff -u want x.yaml)"
[ "$(cat y.yaml)" = 'a: 13' ] || fail "y.yaml: $(cat y.yaml)"
[ "$(stat -c %a y.yaml)" = 640 ] || fail "y.yaml mode $(stat -c %a y.yaml)"
# z.yaml did not change: not rewritten (same inode).
[ "$(stat -c %i z.yaml)" = "$zino" ] || fail "z.yaml was rewritten"
[ "$(cat z.yaml)" = 'b: 0' ] || fail "z.yaml: $(cat z.yaml)"
end

begin "e -i with several files: each file on its own, fileIndex counts files"
twofiles
run ymlset e -i 'select(fileIndex == 1).a = "set"' x.yaml y.yaml
expect_rc 0
printf '# first\na: 1 # one\n---\na: 2\n' >want
cmp -s x.yaml want || fail "x.yaml: $(diff -u want x.yaml)"
[ "$(cat y.yaml)" = 'a: set' ] || fail "y.yaml: $(cat y.yaml)"
end

begin "-i: a file that is not YAML after a good one: exit 3, file:line:col, nothing written"
for c in e ea; do
	twofiles
	printf 'a: [\n' >bad.yaml
	xino=$(stat -c %i x.yaml)
	run ymlset $c -i '.a = 5' x.yaml bad.yaml
	expect_rc 3
	expect_err "'bad.yaml': 2:1:"
	expect_no_out
	[ "$(stat -c %i x.yaml)" = "$xino" ] || fail "$c: x.yaml was rewritten"
	printf '# first\na: 1 # one\n---\na: 2\n' >want
	cmp -s x.yaml want || fail "$c: x.yaml: $(diff -u want x.yaml)"
done
end

begin "ea: a file that is not YAML prints nothing (exit 3)"
twofiles
printf 'a: [\n' >bad.yaml
run ymlset ea '.a' x.yaml bad.yaml y.yaml
expect_rc 3
expect_no_out
expect_err "ymlset: 'bad.yaml': 2:1:"
end

begin "ea -i: a result that is not a document is refused, no file changed"
twofiles
run ymlset ea -i '.a = 5 | .a' x.yaml y.yaml
expect_rc 2
expect_err 'no file was changed'
[ "$(cat y.yaml)" = 'a: 3' ] || fail "y.yaml: $(cat y.yaml)"
end

begin "-i cannot write standard input"
run ymlset -i '.a = 1' - </dev/null
expect_rc 2
expect_err "-i cannot write back standard input"
end

begin "ea over 1,000 files: collect, reduce, select and -i"
mkdir many
i=0
while [ $i -lt 1000 ]; do
	printf 'a: %d\n' $i >many/f$i.yaml
	i=$((i + 1))
done
run ymlset ea '[.a] | length' many/*.yaml
expect_rc 0
expect_out_text 1000
run ymlset ea -o json -I0 '. as $d ireduce ([]; . + [$d.a]) | length' many/*.yaml
expect_rc 0
expect_out_text 1000
run ymlset ea -i 'select(.a == 500).a = "x"' many/*.yaml
expect_rc 0
[ "$(cat many/f500.yaml)" = 'a: x' ] || fail "f500: $(cat many/f500.yaml)"
[ "$(cat many/f499.yaml)" = 'a: 499' ] || fail "f499: $(cat many/f499.yaml)"
end

begin "-i refuses a FIFO before reading it (exit 2), and leaves it a FIFO"
mkfifo fifo.yaml
printf 'a: 1\n' >plain.yaml
run timeout 20 ymlset -i '.a = 2' plain.yaml fifo.yaml
expect_rc 2
expect_err "ymlset: -i edits regular files; 'fifo.yaml' is not one (read it without -i)"
[ -p fifo.yaml ] || fail "fifo.yaml is no longer a FIFO"
[ "$(cat plain.yaml)" = 'a: 1' ] || fail "plain.yaml changed: $(cat plain.yaml)"
end

done_testing
