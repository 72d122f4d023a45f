package dev.kiln.data;

import static dev.kiln.data.CsvOption.classification;
import static dev.kiln.data.CsvOption.delimiter;
import static dev.kiln.data.CsvOption.header;
import static dev.kiln.data.CsvOption.labelColumn;
import static dev.kiln.data.CsvOption.regression;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Datasets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvReaderTest {
    @TempDir
    Path dir;

    @Test
    void stringLabelsBecomeClassesInSortedOrder() throws IOException {
        Path file = csv("""
                sepal_length,sepal_width,species,petal_length
                5.1,3.5,setosa,1.4
                6.3,3.3,virginica,6.0
                5.7,2.8,versicolor,4.1
                4.9,3.0,setosa,1.4
                """);
        TabularData data = CsvReader.read(file, labelColumn("species"));
        assertTrue(data.isClassification());
        assertEquals(List.of("setosa", "versicolor", "virginica"), data.classNames());
        assertArrayEquals(new int[] {0, 2, 1, 0}, data.y());
        assertEquals(List.of("sepal_length", "sepal_width", "petal_length"), data.featureNames());
        assertEquals(4, data.rows());
        assertEquals(3, data.features());
        assertArrayEquals(new float[] {6.3f, 3.3f, 6.0f}, data.x()[1]);
        assertArrayEquals(new float[] {2}, data.targets()[1]);
    }

    @Test
    void theLastColumnIsTheLabelByDefaultAndSmallIntegersAreTheirOwnClass() throws IOException {
        TabularData data = CsvReader.read(csv("a,b,label\n1,2,3\n4,5,0\n7,8,3\n"));
        assertArrayEquals(new int[] {3, 0, 3}, data.y());
        assertEquals(List.of("0", "1", "2", "3"), data.classNames());
        assertArrayEquals(new float[] {4, 5}, data.x()[1]);
    }

    @Test
    void labelColumnByIndexCountsFromZeroOrFromTheEnd() throws IOException {
        Path file = csv("y,a,b\n1,10,20\n0,30,40\n");
        assertArrayEquals(new int[] {1, 0}, CsvReader.read(file, labelColumn(0)).y());
        assertArrayEquals(new int[] {20, 40}, CsvReader.read(file, labelColumn(-1)).y());
        assertArrayEquals(new float[] {1, 20}, CsvReader.read(file, labelColumn(-2)).x()[0]);
    }

    @Test
    void fractionalLabelsAreRegressionTargets() throws IOException {
        TabularData data = CsvReader.read(csv("x,price\n1,2.5\n2,3.25\n"));
        assertFalse(data.isClassification());
        assertEquals(List.of(), data.classNames());
        assertArrayEquals(new float[] {3.25f}, data.targets()[1]);
        IllegalStateException e = assertThrows(IllegalStateException.class, data::y);
        assertTrue(e.getMessage().contains("targets()"), e.getMessage());
    }

    @Test
    void theLabelKindCanBeForced() throws IOException {
        Path integers = csv("x,quality\n1,5\n2,7\n");
        TabularData values = CsvReader.read(integers, regression());
        assertFalse(values.isClassification());
        assertArrayEquals(new float[] {7}, values.targets()[1]);
        TabularData classes = CsvReader.read(csv("x,grade\n1,2.5\n2,1.5\n3,2.50\n4,-1\n"), classification());
        assertEquals(List.of("-1", "1.5", "2.5"), classes.classNames());
        assertArrayEquals(new int[] {2, 1, 2, 0}, classes.y());
    }

    @Test
    void labelsThatAreNegativeOrHugeAreNumberedInNumericOrder() throws IOException {
        TabularData data = CsvReader.read(csv("x,y\n1,10\n2,-5\n3,100000\n4,10\n5,9\n"));
        assertEquals(List.of("-5", "9", "10", "100000"), data.classNames());
        assertArrayEquals(new int[] {2, 0, 3, 2, 1}, data.y());
    }

    @Test
    void noHeaderOtherDelimitersQuotesSpacesBlankLinesAndAByteOrderMark() throws IOException {
        Path file = dir.resolve("t.csv");
        Files.writeString(file, "\uFEFF 1 ; \"2.5\" ;cat\r\n\r\n-3;4e1;\"dog\"\n", StandardCharsets.UTF_8);
        TabularData data = CsvReader.read(file, header(false), delimiter(';'));
        assertEquals(List.of("column 0", "column 1"), data.featureNames());
        assertArrayEquals(new float[] {1, 2.5f}, data.x()[0]);
        assertArrayEquals(new float[] {-3, 40}, data.x()[1]);
        assertEquals(List.of("cat", "dog"), data.classNames());
        Path tabs = csv("a\tb\n1\t0\n");
        assertArrayEquals(new float[] {1}, CsvReader.read(tabs, delimiter('\t')).x()[0]);
    }

    @Test
    void datasetsCsvWrapsErrorsAsUnchecked() throws IOException {
        assertEquals(2, Datasets.csv(csv("a,b\n1,0\n2,1\n")).rows());
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Datasets.csv(csv("a,b\n")));
        assertTrue(e.getCause() instanceof CsvFormatException, e.toString());
    }

    @Test
    void valuesThatAreNotNumbersAreNamedByLineAndColumn() throws IOException {
        assertRefused(csv("a,b,y\n1,2,0\n3,abc,1\n"), "line 3, column 1 ('b'): 'abc' is not a number");
        assertRefused(csv("a,b,y\n1,2,0\n3,abc,1"), "line 3, column 1 ('b')"); // no final newline
        assertRefused(csv("a,b,y\n\n1,2,0\n\n3,abc,1\n"), "line 5, column 1 ('b')"); // blank lines count
        assertRefused(csv("a,b,y\n1,\"two\nlines\",0\n"), "line 3, column 1 ('b')"); // where the record ends
        assertRefused(csv("a,b,y\n1,,0\n"), "line 2, column 1 ('b'): the value is empty");
        assertRefused(csv("a,b,y\n1,NaN,0\n"), "'NaN' is not a number Kiln can train on");
        assertRefused(csv("a,b,y\n1,-inf,0\n"), "'-inf' is not a number Kiln can train on");
        assertRefused(csv("a,b,y\n1,1e39,0\n"), "'1e39' is outside the float range");
        assertRefused(csv("a,b,y\n1,0x10,0\n"), "'0x10' is not a number");
        assertRefused(csv("a,b,y\n1,2f,0\n"), "'2f' is not a number");
        assertRefused(csv("1,2,0\n3,x,1\n"), header(false), "line 2, column 1: 'x' is not a number");
        assertRefused(csv("a,price\n1,0.5\n2,cheap\n"), regression(), "line 3, column 1 ('price'): 'cheap'");
        assertRefused(csv("a,y\n1,\n"), "line 2, column 1 ('y'): the label is empty");
    }

    /**
     * Labels are kept as indices into their distinct texts; past 65,536 distinct texts each row keeps a float
     * instead. Such a column can be values to regress (read exactly), but not classes.
     */
    @Test
    void aColumnOfMoreThan65536DifferentLabelsIsValuesNotClasses() throws IOException {
        StringBuilder text = new StringBuilder("x,y\n");
        for (int i = 0; i < 70_000; i++) {
            text.append(i % 10).append(',').append(i).append(".25\n");
        }
        Path values = csv(text.toString());
        TabularData data = CsvReader.read(values);
        assertFalse(data.isClassification());
        assertEquals(70_000, data.rows());
        assertArrayEquals(new float[] {0.25f}, data.targets()[0]);
        assertArrayEquals(new float[] {69_999.25f}, data.targets()[69_999]);
        assertRefused(values, classification(), "column 1 ('y') holds more than 65536 different labels, too many"
                + " to be classes; if they are values to regress, read the file with CsvOption.regression()");
        // A word after the switch: classes (not every label is a number), and too many of them.
        assertRefused(csv(text + "1,cheap\n"), "holds more than 65536 different labels");
        assertRefused(csv(text + "1,cheap\n"), regression(), "line 70002, column 1 ('y'): 'cheap' is not a number");
        assertRefused(csv(text + "1,1e39\n"), "line 70002, column 1 ('y'): '1e39' is outside the float range");
    }

    @Test
    void raggedRowsAreRefused() throws IOException {
        assertRefused(csv("a,b,y\n1,2,0\n3,4\n"), "line 3 has 2 fields but the header has 3");
        assertRefused(csv("1,2,0\n3,4,5,6\n"), header(false), "line 2 has 4 fields but the first row has 3");
    }

    @Test
    void aMissingLabelColumnIsRefusedWithTheColumnsThereAre() throws IOException {
        Path file = csv("Sepal,Species\n1,a\n");
        assertRefused(file, labelColumn("species"),
                "has no column named 'species' (did you mean 'Species'?); its columns are [Sepal, Species]");
        assertRefused(file, labelColumn(2), "has 2 columns; label column 2 is outside 0..1");
        assertRefused(file, labelColumn(-3), "label column -3 is outside");
        assertRefused(csv("a,a,b\n1,2,3\n"), labelColumn("a"), "two columns named 'a'");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CsvReader.read(file, header(false), labelColumn("Species")));
        assertTrue(e.getMessage().contains("needs a header row"), e.getMessage());
    }

    @Test
    void emptyAndDegenerateFilesAreRefused() throws IOException {
        assertRefused(csv(""), "is empty");
        assertRefused(csv("\n\n\n"), "holds no rows");
        assertRefused(csv("a,b,y\n"), "has a header but no data rows");
        assertRefused(csv("a;b;y\n1;2;3\n"), "has 1 column; a table needs a label column and at least one feature"
                + " column (is the delimiter something other than ','?)");
    }

    @Test
    void brokenQuotingAndBadEncodingAreFormatErrors() throws IOException {
        assertRefused(csv("a,b\n\"1\"x,2\n"), "cannot be parsed as CSV near line");
        assertRefused(csv("a,b\n1,\"2\n"), "cannot be parsed as CSV");
        Path latin1 = dir.resolve("latin1.csv");
        Files.write(latin1, new byte[] {'a', ',', 'b', '\n', '1', ',', (byte) 0xE9, '\n'});
        assertRefused(latin1, "is not UTF-8 text");
    }

    @Test
    void optionsRefuseNonsense() {
        assertThrows(IllegalArgumentException.class, () -> delimiter('"'));
        assertThrows(IllegalArgumentException.class, () -> delimiter('\n'));
        assertThrows(IllegalArgumentException.class, () -> labelColumn(null));
    }

    private Path csv(String text) throws IOException {
        Path file = Files.createTempFile(dir, "data", ".csv");
        return Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    private static void assertRefused(Path file, String expected) {
        assertRefused(file, header(true), expected);
    }

    private static void assertRefused(Path file, CsvOption option, String expected) {
        CsvFormatException e = assertThrows(CsvFormatException.class, () -> CsvReader.read(file, option), expected);
        assertTrue(e.getMessage().contains(expected), "'" + expected + "' in: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    }
}
