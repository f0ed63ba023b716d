"""StreamField blocks shared by calls and articles."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock

RICH_TEXT_FEATURES = ["h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"]


class HeadingBlock(blocks.CharBlock):
    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        form_classname = "title"


class DeliverableBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Deliverable"))
    description = blocks.TextBlock(required=False, label=_("Description"))
    due = blocks.CharBlock(
        required=False, label=_("Due"), help_text=_("For example: two weeks after signing")
    )

    class Meta:
        icon = "tick"


class DeliverablesBlock(blocks.ListBlock):
    def __init__(self, **kwargs):
        super().__init__(DeliverableBlock(), **kwargs)

    class Meta:
        icon = "list-ol"
        template = "blocks/deliverables_block.html"


class DocumentLinkBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(required=False, label=_("Link text"))

    class Meta:
        icon = "doc-full"
        template = "blocks/document_link_block.html"


class TermsOfReferenceBlock(blocks.StreamBlock):
    """Terms of reference: headings, text, deliverables, tables, documents."""

    heading = HeadingBlock(label=_("Heading"))
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Text"))
    deliverables = DeliverablesBlock(label=_("Deliverables"))
    table = TableBlock(label=_("Table"), template="blocks/table_block.html")
    document = DocumentLinkBlock(label=_("Document"))


class ArticleBodyBlock(blocks.StreamBlock):
    heading = HeadingBlock(label=_("Heading"))
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Text"))
    quote = blocks.BlockQuoteBlock(label=_("Quote"), template="blocks/quote_block.html")
    document = DocumentLinkBlock(label=_("Document"))
