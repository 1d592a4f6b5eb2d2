// yaml-npm.js: the npm "yaml" package doing what ymlset does (Document API keeps comments).
const fs = require('fs');
const YAML = require('yaml');
const [file, mode] = process.argv.slice(2);
const docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'));
for (const d of docs) {
  if (mode === 'small') d.setIn(['images', 0, 'newTag'], 'v2');
  else if (d.get('kind') === 'Deployment')
    d.setIn(['spec', 'template', 'spec', 'containers', 0, 'image'], 'example/op:v2');
}
process.stdout.write(docs.map(String).join(''));
