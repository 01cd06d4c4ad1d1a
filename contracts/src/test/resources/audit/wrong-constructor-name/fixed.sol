pragma solidity ^0.4.24;

contract SafeBox {
    address public keeper;

    constructor() public {
        keeper = msg.sender;
    }

    function () public payable {}

    function empty() public {
        require(msg.sender == keeper);
        keeper.transfer(address(this).balance);
    }
}
